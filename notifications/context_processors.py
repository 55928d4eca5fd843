from django.conf import settings
from django.utils.functional import SimpleLazyObject


def scheduler_status(request):
    """The last overdue scan, a stale flag and the destinations a 410 switched off, for the admin's home page only.

    Other pages get nothing; on the admin index the queries run only if the
    template reads `scheduler` (two queries).
    """
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace != "admin" or match.url_name != "index":
        return {}

    def status():
        from .selectors import disabled_endpoints, scheduler_health

        run, age, stale = scheduler_health()
        return {"last_run": run, "age": age, "stale": stale, "disabled_endpoints": disabled_endpoints(),
                "age_minutes": int(age.total_seconds() // 60) if age is not None else None,
                "stale_minutes": int(settings.SCHEDULER_STALE_AFTER.total_seconds() // 60)}

    return {"scheduler": SimpleLazyObject(status)}
