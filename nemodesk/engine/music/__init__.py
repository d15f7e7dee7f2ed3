"""Music from a brief: parse, plan, compose, render, master and export."""
