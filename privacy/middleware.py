"""An erased person's data never crashes a page: what still tries to open it answers 404."""

from django.core.handlers.exception import response_for_exception
from django.http import Http404

from privacy.vault import SubjectErased


class SubjectErasedMiddleware:
    """Turn `SubjectErased` escaping a view into the ordinary "not found" page.

    Pages show an erased person's fields as a placeholder; what needs the destroyed key itself
    (a document's bytes, a write of new values) raises SubjectErased. That person's data is gone
    for good, as a missing object is, so the answer is the same 404 page, not a server error.
    The view's transaction has already rolled back when the exception arrives here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, SubjectErased):
            return response_for_exception(request, Http404())
        return None
