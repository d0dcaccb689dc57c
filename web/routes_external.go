package web

import "github.com/gofiber/fiber/v2"

// routesExternalPages registers the pages of this feature.
func (s *Server) routesExternalPages() {}

// routesExternalAPI registers the JSON API of this feature.
func (s *Server) routesExternalAPI(api fiber.Router) {}
