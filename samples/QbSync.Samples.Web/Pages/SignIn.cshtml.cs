using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using QbSync.Samples.Web.Demo;

namespace QbSync.Samples.Web.Pages;

/// <summary>Demo sign-in: puts the firm, user id and role claims in a cookie.</summary>
public sealed class SignInModel : PageModel
{
    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(string userId)
    {
        var user = DemoDirectory.Users.FirstOrDefault(u => u.UserId == userId);
        if (user is null)
        {
            return BadRequest();
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, user.UserId),
                new Claim(ClaimTypes.Name, user.Name),
                new Claim("qbsync_firm", user.FirmId),
                new Claim(ClaimTypes.Role, user.Role.ToString()),
            ],
            CookieAuthenticationDefaults.AuthenticationScheme);
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        return LocalRedirect("/Accounts");
    }

    public async Task<IActionResult> OnPostSignOutAsync()
    {
        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return LocalRedirect("/SignIn");
    }
}
