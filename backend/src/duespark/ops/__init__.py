"""Running DueSpark in production: logs, metrics, health, rate limits, backups and database moves."""
