"""The working-day calendar (法定节假日 and 调休): `rules` (pure), `service` (its data and loading
a year, telling the listeners the composition root names), `schemas`, `controllers`."""
