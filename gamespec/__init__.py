"""gamespec: game-theoretic models of privacy and security, declared and solved."""
__version__ = "0.1.0"
