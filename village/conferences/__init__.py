"""Parent-teacher conferences: rounds, teachers' slots, families' bookings, their calendar
invitations and reminders."""
