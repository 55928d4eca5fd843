from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class FactoryLocaleMiddleware(LocaleMiddleware):
    """French for people, the caller's choice for machines.

    Many shop-floor phones and office PCs run an English browser, yet the factory
    works in French: pages and the admin ignore Accept-Language and speak
    LANGUAGE_CODE unless the person picked another language (the language cookie
    set by /i18n/setlang/). The API under /api/ honours Accept-Language, so an
    integration can ask for English error messages.
    """

    def process_request(self, request):
        if request.path.startswith("/api/"):
            return super().process_request(request)
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
