"""Security headers Django does not set by itself: Content-Security-Policy, Permissions-Policy.

Everything Weibao serves comes from its own origin (no CDN: government intranets have
no internet), so the policy can be strict. htmx needs no inline script; the few inline
``onclick``/``onchange`` handlers in templates are why 'unsafe-inline' stays for
script-src-attr only.
"""

from django.conf import settings

DEFAULT_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "script-src-attr 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = getattr(settings, "WEIBAO_CSP", DEFAULT_CSP)

    def __call__(self, request):
        response = self.get_response(request)
        # The API docs page (Swagger UI) runs an inline bootstrap script.
        if not request.path.startswith("/api/v1/docs"):
            response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        # Pages for a logged-in user (tickets, personal data, the audit trail) are never
        # kept by the browser or a shared proxy.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "private, no-store"
        return response
