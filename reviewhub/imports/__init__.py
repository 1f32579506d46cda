"""Feedback that partners send back in other formats (a version commented on in Word)."""
