"""From report files to the warehouse's `raw` schema."""
