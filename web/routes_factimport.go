package web

import "github.com/gofiber/fiber/v2"

// routesFactImportPages registers the pages of this feature.
func (s *Server) routesFactImportPages() {}

// routesFactImportAPI registers the JSON API of this feature.
func (s *Server) routesFactImportAPI(api fiber.Router) {}
