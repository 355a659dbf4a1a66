from .navigation import items_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": []}
    from homecoming.accounts.roles import roles_of

    return {"nav_items": items_for(user), "user_roles": roles_of(user)}
