"""From the candidate winners to the contract: publicity (公示), objections (异议) and complaints
(投诉), the award (中标通知), the contract (合同) and the bid-bond refund, cancellation."""
