"""Price bidding (竞价) for the intermediary supermarket: `engine` is the pure core."""
