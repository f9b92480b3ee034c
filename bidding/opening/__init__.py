"""The bid opening (开标): the session at the opening time, the custodians' shares rebuilding the
key, the decryption of every bid in a worker, the record (built by the pure `record`), the live
events, and the bidders' confirmations or objections."""
