package web

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/sertika/sertika/internal/account"
	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
)

// errPasswordMismatch answers a confirmation that differs from the new password.
var errPasswordMismatch = apperr.Invalid("Konfirmasi kata sandi tidak sama dengan kata sandi baru.")

// ---- user administration (administrators) ----

func (s *Server) userList(c *fiber.Ctx) error {
	users, err := s.Accounts.List(c.UserContext(), actor(c))
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "user_list", "Pengguna", fiber.Map{"Users": users})
}

// userForm is what the new-user form shows (and keeps after an error; never the passwords).
type userForm struct {
	Username, DisplayName, Role, OPD, NIP string
}

func (s *Server) userFormPage(c *fiber.Ctx, status int, f userForm, errMsg string) error {
	opds, err := s.Directory.ListOPDs(c.UserContext(), actor(c), false)
	if err != nil {
		return err
	}
	return s.page(c, status, "user_form", "Tambah pengguna", fiber.Map{"Form": f, "Roles": domain.Roles, "OPDs": opds, "Error": errMsg})
}

func (s *Server) userNewForm(c *fiber.Ctx) error {
	return s.userFormPage(c, fiber.StatusOK, userForm{Role: string(domain.RolePegawai)}, "")
}

func (s *Server) userCreate(c *fiber.Ctx) error {
	f := userForm{Username: strings.TrimSpace(formValue(c, "username")), DisplayName: formValue(c, "display_name"),
		Role: formValue(c, "role"), OPD: formValue(c, "opd"), NIP: strings.TrimSpace(formValue(c, "nip"))}
	// Without JavaScript the OPD and NIP fields are only hidden by CSS, so values typed for
	// another role are still sent: take each only for the role it belongs to.
	in := account.UserInput{Username: f.Username, DisplayName: f.DisplayName, Role: domain.Role(f.Role), Password: formValue(c, "password")}
	if in.Role == domain.RoleOPD {
		in.OPDCode = f.OPD
	}
	if in.Role == domain.RolePegawai {
		in.NIP = f.NIP
	}
	var err error
	if in.Password != c.FormValue("password2") {
		err = errPasswordMismatch
	} else {
		_, err = s.Accounts.Create(c.UserContext(), actor(c), in)
	}
	if err != nil {
		if status, msg, ok := formError(err); ok {
			return s.userFormPage(c, status, f, msg)
		}
		return err
	}
	s.flash(c, fmt.Sprintf("Pengguna %s ditambahkan.", account.NormalizeUsername(f.Username)))
	return c.Redirect("/pengguna/"+account.NormalizeUsername(f.Username), fiber.StatusSeeOther)
}

func (s *Server) userDetailPage(c *fiber.Ctx, status int, username string, data fiber.Map) error {
	u, err := s.Accounts.Get(c.UserContext(), actor(c), username)
	if err != nil {
		return err
	}
	if data == nil {
		data = fiber.Map{}
	}
	data["Account"] = u
	me, _ := currentUser(c)
	data["Self"] = me.ID == u.ID
	return s.page(c, status, "user_detail", "Pengguna "+u.Username, data)
}

func (s *Server) userDetail(c *fiber.Ctx) error {
	return s.userDetailPage(c, fiber.StatusOK, pathParam(c, "username"), nil)
}

func (s *Server) userSetPassword(c *fiber.Ctx) error {
	username := pathParam(c, "username")
	pw := formValue(c, "password")
	var err error
	if pw != c.FormValue("password2") {
		err = errPasswordMismatch
	} else {
		err = s.Accounts.SetPassword(c.UserContext(), actor(c), username, pw)
	}
	if err != nil {
		if status, msg, ok := formError(err); ok {
			return s.userDetailPage(c, status, username, fiber.Map{"PasswordError": msg})
		}
		return err
	}
	// A new password ends every session of the account, this one too when administrators
	// reset their own: open a fresh session so they stay signed in.
	if me, _ := currentUser(c); me.Username == account.NormalizeUsername(username) {
		if err := s.restartSession(c, me); err != nil {
			return err
		}
	}
	s.flash(c, "Kata sandi "+account.NormalizeUsername(username)+" telah diganti. Sesi yang sedang berjalan diakhiri.")
	return c.Redirect("/pengguna/"+account.NormalizeUsername(username), fiber.StatusSeeOther)
}

func (s *Server) userSetActive(c *fiber.Ctx) error {
	username := pathParam(c, "username")
	var active bool
	switch c.FormValue("active") {
	case "1":
		active = true
	case "0":
	default:
		return apperr.Invalid("Status akun tidak dikenal.")
	}
	if err := s.Accounts.SetActive(c.UserContext(), actor(c), username, active); err != nil {
		if status, msg, ok := formError(err); ok {
			return s.userDetailPage(c, status, username, fiber.Map{"StatusError": msg})
		}
		return err
	}
	if active {
		s.flash(c, "Akun "+account.NormalizeUsername(username)+" diaktifkan.")
	} else {
		s.flash(c, "Akun "+account.NormalizeUsername(username)+" dinonaktifkan.")
	}
	return c.Redirect("/pengguna/"+account.NormalizeUsername(username), fiber.StatusSeeOther)
}

// restartSession opens a new session for u (after a password change ended the old one).
func (s *Server) restartSession(c *fiber.Ctx, u domain.User) error {
	tok, _, err := s.Accounts.StartSession(c.UserContext(), u, s.clientIP(c), c.Get(fiber.HeaderUserAgent))
	if err != nil {
		return err
	}
	s.setSessionCookie(c, tok)
	return nil
}

// ---- own account (everyone) ----

func (s *Server) accountPage(c *fiber.Ctx) error {
	return s.page(c, fiber.StatusOK, "account", "Akun saya", nil)
}

func (s *Server) accountPassword(c *fiber.Ctx) error {
	pw := formValue(c, "new_password")
	var err error
	if pw != c.FormValue("new_password2") {
		err = errPasswordMismatch
	} else {
		err = s.Accounts.ChangeOwnPassword(c.UserContext(), actor(c), formValue(c, "old_password"), pw)
	}
	if err != nil {
		if status, msg, ok := formError(err); ok {
			return s.page(c, status, "account", "Akun saya", fiber.Map{"Error": msg})
		}
		if ae := apperr.As(err); ae.Code == apperr.CodeRateLimited { // too many wrong old passwords
			return s.page(c, statusOf(ae.Code), "account", "Akun saya", fiber.Map{"Error": ae.Message})
		}
		return err
	}
	me, _ := currentUser(c)
	if err := s.restartSession(c, me); err != nil {
		return err
	}
	s.flash(c, "Kata sandi Anda telah diganti. Sesi di perangkat lain telah diakhiri.")
	return c.Redirect("/akun", fiber.StatusSeeOther)
}
