package web

// routesMasterPages registers the master-data and administration pages.
func (s *Server) routesMasterPages() {}
