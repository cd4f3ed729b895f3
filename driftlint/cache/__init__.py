"""What is kept between runs: parse results by content, whole results by inputs."""
