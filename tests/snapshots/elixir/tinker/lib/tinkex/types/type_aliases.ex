defmodule Tinkex.Types.TypeAliases do
  @moduledoc """
  Typespecs of the tinker API's `ModelInputChunk`, `LossFnInputs`, `LossFnOutput`, gathered in one
  module (`targets.elixir.typespecs`).
  """

  alias Tinkex.Types.LossFnInputs
  alias Tinkex.Types.LossFnOutput
  alias Tinkex.Types.ModelInputChunk

  @typedoc """
  The `ModelInputChunk` type of the tinker API.
  """
  @type model_input_chunk :: ModelInputChunk.t()

  @typedoc """
  The `LossFnInputs` type of the tinker API.
  """
  @type loss_fn_inputs :: LossFnInputs.t()

  @typedoc """
  The `LossFnOutput` type of the tinker API.
  """
  @type loss_fn_output :: LossFnOutput.t()
end
