"""Bidding: sealed bids (数字信封), submission and receipts, the bid opening (开标), and the
intermediary supermarket (中介超市) with its price-bidding engine. Filled in by the bidding issues."""
