-- NaN passes range CHECKs on numeric columns (NaN >= 0 is true in PostgreSQL) and poisons every
-- sum: refuse it where budgets and reports add values up.
ALTER TABLE gpt_usage
  ADD CONSTRAINT gpt_usage_cost_finite CHECK (cost_usd <> 'NaN'::numeric);
