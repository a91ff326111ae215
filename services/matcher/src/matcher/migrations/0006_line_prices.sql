-- Capacity prices (bid prices) of the products' lines, refreshed from the LP over recent demand (domain/prices.py)
-- and read with the offers for every decision; a decision records the prices it was made with.
CREATE TABLE line_prices (
    product_id   uuid PRIMARY KEY,
    price        double precision NOT NULL CHECK (price >= 0),  -- score units per 万元 of the line
    computed_at  timestamptz NOT NULL
);
