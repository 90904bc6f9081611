"""After training: target grammar, promotion gate, register, promote, evaluate, predict."""
