"""The intermediary supermarket (中介超市): `intermediaries` (qualifications, eligibility, record),
`requests` (posting, registration, reposting), `selection` (auction, sealed quotes, draw, direct
choice, the close and the assessment), `queries` (read models), pure rules (`auction/`,
`eligibility`, `draw`, `quotes`, `stats`, `assessment`) and `states`."""
