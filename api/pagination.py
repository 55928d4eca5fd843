from rest_framework.pagination import PageNumberPagination


class PageNumberWithSize(PageNumberPagination):
    """?page=2&page_size=50 — the mobile app asks for bigger pages than the default."""

    page_size_query_param = "page_size"
    max_page_size = 200
