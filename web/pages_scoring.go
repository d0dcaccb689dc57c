package web

// routesScoringPages registers the pages of this feature.
func (s *Server) routesScoringPages() {}
