"""`loadgate calibrate`: A/A and A/B trials that measure the gate's own false-alarm rate and power."""
