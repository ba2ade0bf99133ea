"""Personal data requests: export everything an account owns, erase a user and what they alone own."""
