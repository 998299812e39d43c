package metadata

import (
	"context"
	"slices"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
)

// Server implements the kratos.api.Metadata service.
//
// With a *grpc.Server (see [NewServer]) it describes the services
// registered on that server; with a nil one it describes every service
// whose file is linked into the program (protoregistry.GlobalFiles).
// Services are looked up again on every call, so a service registered after
// the first call shows up too; descriptor sets are built once per file and
// cached. Server is safe for concurrent use.
type Server struct {
	UnimplementedMetadataServer

	srv   *grpc.Server
	files *protoregistry.Files

	mu    sync.Mutex
	cache map[string]*descriptorpb.FileDescriptorSet // file path -> set
}

var _ MetadataServer = (*Server)(nil)

// NewServer returns a Metadata service describing the services registered
// on srv; srv may be nil (see [Server]). Register it with
// RegisterMetadataServer.
func NewServer(srv *grpc.Server) *Server {
	return &Server{
		srv:   srv,
		files: protoregistry.GlobalFiles,
		cache: make(map[string]*descriptorpb.FileDescriptorSet),
	}
}

// service is what the Metadata service knows of one gRPC service.
type service struct {
	methods []string // method names, without the service
	file    string   // path of the defining .proto file, "" when unknown
}

// services returns the services to describe, by full name.
func (s *Server) services() map[string]service {
	out := make(map[string]service)
	if s.srv != nil {
		for name, info := range s.srv.GetServiceInfo() {
			svc := service{methods: make([]string, 0, len(info.Methods))}
			for _, m := range info.Methods {
				svc.methods = append(svc.methods, m.Name)
			}
			// Generated code sets the ServiceDesc metadata to the file path.
			if path, ok := info.Metadata.(string); ok {
				svc.file = path
			}
			out[name] = svc
		}
		return out
	}
	s.files.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		sds := fd.Services()
		for i := 0; i < sds.Len(); i++ {
			sd := sds.Get(i)
			svc := service{file: fd.Path(), methods: make([]string, 0, sd.Methods().Len())}
			for j := 0; j < sd.Methods().Len(); j++ {
				svc.methods = append(svc.methods, string(sd.Methods().Get(j).Name()))
			}
			out[string(sd.FullName())] = svc
		}
		return true
	})
	return out
}

// ListServices returns the sorted full names of the services and the sorted
// full method names ("/pkg.Service/Method") of their methods.
func (s *Server) ListServices(context.Context, *ListServicesRequest) (*ListServicesReply, error) {
	svcs := s.services()
	reply := &ListServicesReply{Services: make([]string, 0, len(svcs))}
	for name, svc := range svcs {
		reply.Services = append(reply.Services, name)
		for _, m := range svc.methods {
			reply.Methods = append(reply.Methods, "/"+name+"/"+m)
		}
	}
	slices.Sort(reply.Services)
	slices.Sort(reply.Methods)
	return reply, nil
}

// GetServiceDesc returns the file descriptor set of the named service: the
// defining file and its transitive dependencies, each file after the files
// it imports. It fails with codes.NotFound for an unknown service and for a
// service whose file is not linked into the program.
func (s *Server) GetServiceDesc(_ context.Context, in *GetServiceDescRequest) (*GetServiceDescReply, error) {
	name := in.GetName()
	svc, ok := s.services()[name]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "metadata: service %q not found", name)
	}
	if svc.file == "" {
		return nil, status.Errorf(codes.NotFound, "metadata: service %q has no file descriptor", name)
	}
	set, err := s.fileSet(svc.file)
	if err != nil {
		return nil, status.Errorf(codes.NotFound, "metadata: service %q: %v", name, err)
	}
	// The cached set is shared; hand out a copy the caller may modify.
	return &GetServiceDescReply{FileDescSet: proto.CloneOf(set)}, nil
}

// fileSet returns the cached descriptor set of the file at path.
func (s *Server) fileSet(path string) (*descriptorpb.FileDescriptorSet, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if set, ok := s.cache[path]; ok {
		return set, nil
	}
	fd, err := s.files.FindFileByPath(path)
	if err != nil {
		return nil, err
	}
	set := &descriptorpb.FileDescriptorSet{}
	seen := make(map[string]bool)
	var walk func(protoreflect.FileDescriptor)
	walk = func(fd protoreflect.FileDescriptor) {
		// A placeholder stands for an import that is not linked into the
		// program; there is nothing to describe.
		if seen[fd.Path()] || fd.IsPlaceholder() {
			return
		}
		seen[fd.Path()] = true
		imports := fd.Imports()
		for i := 0; i < imports.Len(); i++ {
			walk(imports.Get(i).FileDescriptor)
		}
		set.File = append(set.File, protodesc.ToFileDescriptorProto(fd))
	}
	walk(fd)
	s.cache[path] = set
	return set, nil
}
