"""The intermediary supermarket (中介超市): intermediaries, their qualifications, service
requests, registration, and the selection of an intermediary (price bidding among them)."""
