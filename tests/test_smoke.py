from pytest_httpx import HTTPXMock

from tests.conftest import CDN, GATEWAY, PICKED_SEED, PNG, run, same_image, sent_bodies


def test_sdxl_saves_the_image_and_prints_its_path(httpx_mock: HTTPXMock, key: str, isolated):
    httpx_mock.add_response(url=f"{GATEWAY}/getImage/v1/getSDXLImage",
                            json={"imageUrl": f"{CDN}/a.png"})
    httpx_mock.add_response(url=f"{CDN}/a.png", content=PNG)
    result = run("sdxl", "a lighthouse")
    assert result.exit_code == 0, result.stderr
    path = result.stdout.strip()
    assert path.endswith(".png")
    assert same_image(isolated / path, PNG)
    assert sent_bodies(httpx_mock) == [{"prompt": "a lighthouse", "seed": PICKED_SEED}]
