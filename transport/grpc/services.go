package grpc

import "google.golang.org/grpc"

// registeredService is a service registered with RegisterService.
type registeredService struct {
	desc *grpc.ServiceDesc
	impl any
}

// WalkServices calls fn for every service registered with RegisterService
// (the generated RegisterXxxServer functions, and the server's own health
// and kratos.api.Metadata services), in registration order, with the
// service description as it was given and the implementation. Services
// registered on the embedded *grpc.Server directly (such as reflection)
// are not included.
//
// transport/http.Server.RegisterServices uses it to serve the same
// services on the HTTP port with the Connect, gRPC-Web and gRPC
// protocols. It is safe to call at any time; fn must not register
// services on s.
//
// This method is not part of Kratos.
func (s *Server) WalkServices(fn func(desc *grpc.ServiceDesc, impl any)) {
	s.mu.Lock()
	services := s.services[:len(s.services):len(s.services)]
	s.mu.Unlock()
	for _, r := range services {
		fn(r.desc, r.impl)
	}
}
