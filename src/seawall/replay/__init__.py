"""Readers that turn recorded market data into streams Seawall can replay."""
