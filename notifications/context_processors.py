from django.conf import settings
from django.utils.functional import SimpleLazyObject


def scheduler_status(request):
    """The last overdue scan and a stale flag, for the admin's home page only.

    Other pages get nothing; on the admin index the query runs only if the
    template reads `scheduler` (one query).
    """
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace != "admin" or match.url_name != "index":
        return {}

    def status():
        from .selectors import scheduler_health

        run, age, stale = scheduler_health()
        return {"last_run": run, "age": age, "stale": stale,
                "age_minutes": int(age.total_seconds() // 60) if age is not None else None,
                "stale_minutes": int(settings.SCHEDULER_STALE_AFTER.total_seconds() // 60)}

    return {"scheduler": SimpleLazyObject(status)}
