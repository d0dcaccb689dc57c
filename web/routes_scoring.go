package web

import "github.com/gofiber/fiber/v2"

// routesScoringAPI registers the JSON API of this feature.
func (s *Server) routesScoringAPI(api fiber.Router) {}
