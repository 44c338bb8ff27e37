"""The tinkc IR: frozen attrs nodes (:mod:`tinkc.ir.nodes`) and networkx views (:mod:`tinkc.ir.graph`)."""
