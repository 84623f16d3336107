from rest_framework.pagination import PageNumberPagination


class Pages(PageNumberPagination):
    """?page=2, and ?page_size= up to 1000 for reports that pull a whole plan in one go."""

    page_size_query_param = "page_size"
    max_page_size = 1000
