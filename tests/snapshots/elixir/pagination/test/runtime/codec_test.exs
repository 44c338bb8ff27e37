defmodule Pages.Runtime.CodecTest.Color do
  @moduledoc false
  def __type__, do: {:enum, [{"red", :red}, {"light-blue", :"light-blue"}]}
end

defmodule Pages.Runtime.CodecTest.Cat do
  @moduledoc false
  defstruct kind: "cat", name: nil, lives: 9

  def __type__,
    do:
      {:record,
       [
         {:kind, "kind", {:literal, "cat"}, :optional},
         {:name, "name", :string, :required},
         {:lives, "lives", :integer, :optional}
       ]}
end

defmodule Pages.Runtime.CodecTest.Dog do
  @moduledoc false
  defstruct kind: "dog", name: nil

  def __type__,
    do:
      {:record,
       [{:kind, "kind", {:literal, "dog"}, :optional}, {:name, "name", :string, :required}]}
end

defmodule Pages.Runtime.CodecTest.Pet do
  @moduledoc false
  alias Pages.Runtime.CodecTest.{Cat, Dog}
  def __type__, do: {:union, "kind", %{"cat" => Cat, "dog" => Dog}}
end

defmodule Pages.Runtime.CodecTest.Owner do
  @moduledoc false
  alias Pages.Runtime.CodecTest.{Color, Pet}
  defstruct [:id, :pets, :color, :nickname, :since, :avatar, :score]

  def __type__ do
    {:record,
     [
       {:id, "owner_id", :string, :required},
       {:pets, "pets", {:list, Pet}, :required},
       {:color, "color", Color, :optional},
       {:nickname, "nickname", {:nullable, :string}, :required},
       {:since, "since", :datetime, :optional},
       {:avatar, "avatar", :bytes, :optional},
       {:score, "score", :float, :optional}
     ]}
  end
end

defmodule Pages.Runtime.CodecTest do
  # Decoding and encoding by the types' own descriptions: wire names, required and optional
  # fields, nullability, and tolerance of values a newer server may send.
  use ExUnit.Case, async: true

  alias Pages.Runtime.Codec
  alias Pages.Runtime.CodecTest.{Cat, Color, Dog, Owner, Pet}

  @json %{
    "owner_id" => "o-1",
    "pets" => [%{"kind" => "cat", "name" => "Tom"}, %{"kind" => "dog", "name" => "Rex"}],
    "color" => "light-blue",
    "nickname" => nil,
    "since" => "2025-01-02T03:04:05Z",
    "avatar" => Base.encode64("png"),
    "score" => 3
  }

  test "a record decodes by wire names, into its structs, variants and values" do
    assert {:ok, owner} = Codec.decode(@json, Owner)
    assert owner.id == "o-1"
    assert [%Cat{name: "Tom", lives: 9}, %Dog{name: "Rex"}] = owner.pets
    assert owner.color == :"light-blue"
    assert owner.since == ~U[2025-01-02 03:04:05Z]
    assert owner.avatar == "png"
    assert owner.score === 3.0
  end

  test "encoding gives the wire form back; optional fields nobody set are left out" do
    {:ok, owner} = Codec.decode(@json, Owner)
    wire = Codec.encode(owner, Owner)
    assert wire["owner_id"] == "o-1"

    assert wire["pets"] == [
             %{"kind" => "cat", "name" => "Tom", "lives" => 9},
             %{"kind" => "dog", "name" => "Rex"}
           ]

    assert wire["color"] == "light-blue"
    assert Map.has_key?(wire, "nickname") and wire["nickname"] == nil

    sparse = %Owner{id: "o-2", pets: [], nickname: "x"}
    assert Codec.encode(sparse, Owner) == %{"owner_id" => "o-2", "pets" => [], "nickname" => "x"}
    assert Codec.encode(sparse, Owner, :full)["color"] == nil
    assert Map.has_key?(Codec.encode(sparse, Owner, :full), "color")
  end

  test "a missing required field, or a value of the wrong type, is an error with its path" do
    assert {:error, problem} = Codec.decode(Map.delete(@json, "owner_id"), Owner)
    assert Codec.describe(problem) == "at owner_id: is required"

    bad = put_in(@json, ["pets"], [%{"kind" => "cat", "name" => 5}])
    assert {:error, problem} = Codec.decode(bad, Owner)
    assert Codec.describe(problem) == "at pets[0].name: expected a string, got a number"

    assert {:error, _} = Codec.decode(Map.put(@json, "owner_id", nil), Owner)
  end

  test "an unknown enum value stays a string, an unknown union tag its JSON map" do
    assert {:ok, "ultraviolet"} = Codec.decode("ultraviolet", Color)
    bird = %{"kind" => "bird", "wings" => 2}
    assert {:ok, ^bird} = Codec.decode(bird, Pet)
    assert Codec.encode(bird, Pet) == bird
  end

  test "new/2 builds a struct from field names or wire names, and rejects unknown keys" do
    assert %Owner{id: "o-3", nickname: "n"} =
             Codec.new(Owner, %{"owner_id" => "o-3", nickname: "n"})

    assert_raise ArgumentError, fn -> Codec.new(Owner, %{unknown: 1}) end
  end

  test "a value that is no record where one goes is an ArgumentError naming the record" do
    # Tinkex's Datum.new converts plain lists into TensorData; a generated record does not, and
    # says so instead of crashing in a function clause
    assert_raise ArgumentError, ~r/expected a keyword list or map of fields, got: \[1, 2\]/, fn ->
      Codec.new(Owner, [1, 2])
    end

    assert_raise ArgumentError, ~r/expected a .*Owner.*got: "o-3"/, fn ->
      Codec.encode("o-3", Owner)
    end
  end
end
