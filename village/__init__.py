"""Village: a learning-community platform for K-12 schools."""
