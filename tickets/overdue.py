"""How late a ticket is, in the original application's words.

The webhook payload, the cron answer and the EN RETARD banner all say the delay
the same way, so the wording lives here once: "2 jour(s) 9h 26min", or
"9h 26min" under a day. Pabbly workflows parse these strings; do not change them.
"""
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Delay:
    days: int
    hours: int
    minutes: int

    @classmethod
    def from_timedelta(cls, delta: timedelta) -> "Delay":
        total_minutes = max(int(delta.total_seconds() // 60), 0)
        days, rest = divmod(total_minutes, 24 * 60)
        hours, minutes = divmod(rest, 60)
        return cls(days=days, hours=hours, minutes=minutes)

    @property
    def text(self) -> str:
        if self.days > 0:
            return f"{self.days} jour(s) {self.hours}h {self.minutes}min"
        return f"{self.hours}h {self.minutes}min"


def overdue_text(delta: timedelta) -> str:
    return Delay.from_timedelta(delta).text
