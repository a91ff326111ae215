"""链融 matcher service:

Pairs each financing need with the chain's lead bank first, an eligible product and an officer."""
