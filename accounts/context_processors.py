from accounts.navigation import items_for


def navigation(request):
    """The current user's navigation entries; nothing for anonymous visitors."""
    user = getattr(request, "user", None)
    if user is None:
        return {"nav_items": []}
    # Until the second factor is given, every page but its own is closed: no links to them.
    from accounts.second_factor import needs_verification

    if needs_verification(user):
        return {"nav_items": []}
    return {"nav_items": items_for(user)}
