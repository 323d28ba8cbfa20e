"""The forecast: a Monte Carlo realisation of the plan pipeline (see docs/forecast.md).

Modules, along the forecast's seams (import from them; this package re-exports nothing):

* :mod:`opgave.forecast.assumptions` - the assumptions file: drop-out and delay per
  planstatus, preconditions, shared shocks, the production ceiling; parsing, validation and
  provenance (which assumptions a forecast used);
* :mod:`opgave.forecast.engine` - the Monte Carlo engine: plan arrays -> simulated runs;
* :mod:`opgave.forecast.questions` - what is asked of the runs: per-target summaries, the
  chance of reaching a target, the capacity ratio needed, scenario differences;
* :mod:`opgave.forecast.history` - assumptions learned from the plan-list history;
* :mod:`opgave.forecast.backtest` - forecasting from the history up to a date and comparing
  with what happened after it;
* :mod:`opgave.forecast.synthetic` - SYNTHETIC plan-list histories with known parameters.
"""
