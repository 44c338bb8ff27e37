Code.require_file("runtime/support.exs", __DIR__)
ExUnit.start()
