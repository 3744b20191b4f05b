"""Configuration: the bottom layer, and the only reader of the environment."""
