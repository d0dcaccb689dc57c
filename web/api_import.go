package web

import "github.com/gofiber/fiber/v2"

// routesImportAPI registers the import endpoints of the JSON API (each with s.bearerAuth).
func (s *Server) routesImportAPI(api fiber.Router) {}
