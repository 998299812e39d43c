package feedservice

import (
	"context"
	"errors"
	"io"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/scaffold/internal/feedapi"
)

// FeedService implements kratos.test.feed.v1.Feed (feed.proto).
type FeedService struct {
	feedapi.UnimplementedFeedServer
}

// NewFeedService returns a FeedService.
func NewFeedService() *FeedService {
	return &FeedService{}
}

func (s *FeedService) Get(ctx context.Context, req *feedapi.Item) (*feedapi.Item, error) {
	return &feedapi.Item{}, nil
}

func (s *FeedService) Watch(req *feedapi.Item, stream feedapi.Feed_WatchServer) error {
	// Send as many replies as needed; returning ends the stream.
	return stream.Send(&feedapi.Item{})
}

func (s *FeedService) Upload(stream feedapi.Feed_UploadServer) error {
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return stream.SendAndClose(&feedapi.Item{})
		}
		if err != nil {
			return err
		}
		_ = req
	}
}

func (s *FeedService) Chat(stream feedapi.Feed_ChatServer) error {
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		_ = req
		if err := stream.Send(&feedapi.Item{}); err != nil {
			return err
		}
	}
}
