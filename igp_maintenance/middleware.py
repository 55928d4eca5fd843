from django.conf import settings
from django.contrib.auth.middleware import get_user
from django.middleware.locale import LocaleMiddleware
from django.urls import reverse
from django.utils import translation


def page_language(request):
    """The language of a page: the person's saved choice, else the language cookie, else French.

    Many shop-floor phones and office PCs run an English browser, yet the factory
    works in French: pages and the admin ignore Accept-Language. A signed-in
    person's choice (`User.language`, saved by the switch in the header) wins on
    every device; the cookie the switch also sets keeps the sign-in page in that
    language after sign-out, and serves anonymous pages.
    """
    languages = dict(settings.LANGUAGES)
    # `get_user` caches the person on the request, so AuthenticationMiddleware reuses it: no extra query.
    user = get_user(request) if hasattr(request, "session") else None
    saved = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
    if saved in languages:
        return saved
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return cookie if cookie in languages else settings.LANGUAGE_CODE


class FactoryLocaleMiddleware(LocaleMiddleware):
    """French for people, the caller's choice for machines.

    Pages speak `page_language(request)`. The API under /api/ honours
    Accept-Language, so an integration can ask for English error messages.
    """

    def process_request(self, request):
        if request.path.startswith("/api/"):
            return super().process_request(request)
        translation.activate(page_language(request))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        """Django's own switch (/i18n/setlang/, the admin's Français/English buttons) saves the choice on
        the person too, like the pages' switch: otherwise his saved language would undo it."""
        if request.method == "POST" and request.path == reverse("set_language"):
            remember_language(request, request.POST.get("language", ""))
        return super().process_response(request, response)


def remember_language(request, code):
    """Save a valid language on the signed-in person (a no-op for anyone else or an unknown code)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or code not in dict(settings.LANGUAGES) or user.language == code:
        return
    user.language = code
    user.save(update_fields=["language"])
