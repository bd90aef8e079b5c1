"""What the notification pages read: a user's settings and a child's alerts (``preferences``),
and what staff see of deliveries that failed (``problems``)."""

from village.notifications.selectors.preferences import (
    AlertRow,
    ChildAlerts,
    KindRow,
    SchoolDefaultRow,
    SchoolNotifications,
    SettingsGroup,
    SettingsView,
    centre_page,
    child_alerts,
    notifications_for_list,
    per_child_kinds,
    school_notifications,
    settable_kinds,
    settings_view,
)

__all__ = [
    "AlertRow",
    "ChildAlerts",
    "KindRow",
    "SchoolDefaultRow",
    "SchoolNotifications",
    "SettingsGroup",
    "SettingsView",
    "centre_page",
    "child_alerts",
    "notifications_for_list",
    "per_child_kinds",
    "school_notifications",
    "settable_kinds",
    "settings_view",
]
