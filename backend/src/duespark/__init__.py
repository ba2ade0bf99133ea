"""DueSpark: invoice reminders that get freelancers paid on time."""

__version__ = "0.1.0"
