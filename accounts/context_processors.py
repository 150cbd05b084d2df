from functools import cache

from accounts.navigation import items_for

# Set by accounts.middleware.SecondFactorMiddleware once it has let the request through: the
# session owes no code, so the navigation need not ask the database again.
SECOND_FACTOR_PASSED = "_przystan_second_factor_passed"


def navigation(request):
    """The current user's navigation entries; nothing for anonymous visitors.

    Lazy: a template that shows no navigation (the bed board's htmx refresh) costs nothing.
    """
    user = getattr(request, "user", None)
    if user is None:
        return {"nav_items": []}

    @cache
    def nav_items() -> list[dict]:
        # Until the second factor is given, every page but its own is closed: no links to them.
        # The middleware already asked for this request (pages exempt from it ask here).
        if not getattr(request, SECOND_FACTOR_PASSED, False):
            from accounts.second_factor import needs_verification

            if needs_verification(user):
                return []
        return items_for(user)

    return {"nav_items": nav_items}
